// The scene list of the "Run again" dialog: scenes are added at the end and
// removed anywhere, and stay numbered 1…n, as the domain wants them (unique
// scene numbers from 1 to MAX_SCENES, each with a description).
import type { ScriptInput } from '../api/types';

/** The most scenes a task can have (domain.MaxScenes). */
export const MAX_SCENES = 1000;

/** The seconds a new scene lasts when there is no scene before it to copy. */
export const NEW_SCENE_SECONDS = 5;

/** The scenes with a new, empty one at the end (as long as the last one); unchanged at MAX_SCENES. */
export function addScene(scenes: readonly ScriptInput[]): ScriptInput[] {
  if (scenes.length >= MAX_SCENES) return [...scenes];
  const last = scenes[scenes.length - 1];
  return [...scenes, { scene_number: scenes.length + 1, description: '', duration: last?.duration || NEW_SCENE_SECONDS }].map(renumber);
}

/** The scenes without the one at index, numbered 1…n again; unchanged when it would leave fewer than min. */
export function removeScene(scenes: readonly ScriptInput[], index: number, min = 1): ScriptInput[] {
  if (scenes.length <= min || index < 0 || index >= scenes.length) return [...scenes];
  return scenes.filter((_, i) => i !== index).map(renumber);
}

/** Whether every scene has a description, so the domain takes the list. */
export function scenesReady(scenes: readonly ScriptInput[]): boolean {
  return scenes.every((s) => s.description.trim() !== '');
}

function renumber(s: ScriptInput, i: number): ScriptInput {
  return s.scene_number === i + 1 ? s : { ...s, scene_number: i + 1 };
}
