import { useEffect, useState } from 'preact/hooks';
import type { Task } from '../api';
import { api } from '../state';

// Final-video IDs by task, so a row scrolled back into view does not ask again.
const finalVideo = new Map<string, number | null>();
const inFlight = new Map<string, Promise<number | null>>();

function findFinalVideo(taskId: string): Promise<number | null> {
  let p = inFlight.get(taskId);
  if (!p) {
    p = api
      .getTask(taskId)
      .then((t) => {
        const v = t.videos?.find((x) => x.scene_number === 0 && !x.missing) ?? t.videos?.find((x) => !x.missing);
        return v ? v.id : null;
      })
      .catch(() => null)
      .then((id) => {
        finalVideo.set(taskId, id);
        inFlight.delete(taskId);
        return id;
      });
    inFlight.set(taskId, p);
  }
  return p;
}

/**
 * A poster frame of a task's final video (the frame at half a second), or a
 * film glyph where there is none. For tasks that have a video. Looks the video up only while the list is
 * at rest, so scrolling never waits on the network.
 */
export function TaskThumb({ task, idle }: { task: Task; idle: boolean }) {
  const [videoId, setVideoId] = useState(() => finalVideo.get(task.task_id));
  useEffect(() => {
    if (!idle || videoId !== undefined) return;
    let live = true;
    findFinalVideo(task.task_id).then((id) => live && setVideoId(id));
    return () => {
      live = false;
    };
  }, [task.task_id, idle, videoId]);
  return (
    <div class={`thumb st-${task.status}${videoId ? '' : ' blank'}`}>
      {videoId && <video src={`${api.mediaUrl(videoId)}#t=0.5`} preload="metadata" muted playsInline tabIndex={-1} />}
    </div>
  );
}
