import { describe, expect, it } from 'vitest';
import type { ScriptInput } from '../api/types';
import { MAX_SCENES, addScene, removeScene, scenesReady } from './scenes';

const scene = (n: number, description = `scene ${n}`, duration = n): ScriptInput => ({ scene_number: n, description, duration });

describe('addScene', () => {
  it('adds an empty scene at the end, as long as the last one', () => {
    expect(addScene([scene(1), scene(2)])).toEqual([scene(1), scene(2), { scene_number: 3, description: '', duration: 2 }]);
  });

  it('starts a list with a five-second scene', () => {
    expect(addScene([])).toEqual([{ scene_number: 1, description: '', duration: 5 }]);
  });

  it('stops at the most scenes a task can have', () => {
    const full = Array.from({ length: MAX_SCENES }, (_, i) => scene(i + 1));
    expect(addScene(full)).toHaveLength(MAX_SCENES);
  });
});

describe('removeScene', () => {
  it('removes a scene and numbers the rest 1…n', () => {
    const got = removeScene([scene(1), scene(2), scene(3)], 1);
    expect(got.map((s) => [s.scene_number, s.description])).toEqual([[1, 'scene 1'], [2, 'scene 3']]);
  });

  it('keeps at least min scenes', () => {
    expect(removeScene([scene(1)], 0)).toEqual([scene(1)]);
    expect(removeScene([scene(1)], 0, 0)).toEqual([]);
  });

  it('ignores an index outside the list', () => {
    expect(removeScene([scene(1), scene(2)], 5)).toEqual([scene(1), scene(2)]);
  });
});

describe('scenesReady', () => {
  it('wants a description in every scene', () => {
    expect(scenesReady([scene(1), scene(2, '  ')])).toBe(false);
    expect(scenesReady([scene(1)])).toBe(true);
    expect(scenesReady([])).toBe(true);
  });
});
