// Seeds a server through its HTTP API: users, tasks in every state with
// English and Chinese prompts and scenes, real video files, and a bulk of
// tasks for the scrolling measurement.
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { frontendDir } from './harness.mjs';

const fixtures = join(frontendDir, 'e2e', 'fixtures');
const clip = { duration: 3, width: 320, height: 180, fps: 24 };
const finalClip = { duration: 4, width: 320, height: 180, fps: 24 };

/** The tasks the tests look for, by role. */
export const PROMPTS = {
  boat: 'A paper boat drifting down a rainy street at dusk, neon reflections in the puddles',
  cat: '一只橘猫在雨后的屋顶上追逐蝴蝶，夕阳把云染成粉色',
  running: 'Time-lapse of a city skyline from dawn to night',
  failed: 'An astronaut planting a garden on the Moon',
  cancelled: 'Slow motion of ink drops blooming in water',
  pending: '清晨的竹林里，薄雾缓缓散开',
  missing: 'A lighthouse in a storm, waves crashing over the rocks',
};

/** Seeds s; returns what the tests need to know. */
export async function seed(s, { bulk = 10_000 } = {}) {
  const videos = join(s.work, 'videos');
  mkdirSync(videos, { recursive: true });
  const file = (name, src) => {
    const p = join(videos, name);
    copyFileSync(join(fixtures, src), p);
    return p;
  };

  const ann = await s.api('POST', '/api/v1/users', { username: 'ann', email: 'ann@example.com', quota: bulk + 100 });
  await s.api('POST', '/api/v1/users', { username: 'bo', quota: 20 });

  const create = (username, prompt, total_scenes = 0) => s.api('POST', '/api/v1/tasks', { username, prompt, total_scenes });
  const t = (id, op, body) => s.api(op === 'scripts' ? 'PUT' : 'POST', `/api/v1/tasks/${id}/${op}`, body);

  // The bulk first, so the named tasks are the newest and on the first page.
  const started = performance.now();
  let next = 0;
  const words = ['forest', 'ocean', 'desert', 'city', 'mountain', 'river', '森林', '海洋', '沙漠', '城市'];
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < bulk) {
        const i = next++;
        await create('ann', `Bulk shot ${i}: a drone flight over the ${words[i % words.length]} #${i}`);
      }
    }),
  );
  const bulkSeconds = (performance.now() - started) / 1000;

  const boat = await create('ann', PROMPTS.boat, 2);
  await t(boat.task_id, 'start');
  await t(boat.task_id, 'scripts', {
    scripts: [
      { scene_number: 1, description: 'A folded paper boat is set on a rain-soaked street', duration: 3, camera_movement: 'slow push in', lighting: 'blue hour' },
      { scene_number: 2, description: 'The boat rides the gutter stream past glowing shop signs', duration: 3, camera_movement: 'tracking shot', lighting: 'neon' },
    ],
  });
  const boatScene1 = await t(boat.task_id, 'videos', { scene_number: 1, file_path: file('boat-1.webm', 'scene.webm'), ...clip });
  await t(boat.task_id, 'videos', { scene_number: 2, file_path: file('boat-2.webm', 'scene.webm'), ...clip });
  await t(boat.task_id, 'progress', { progress: 90, completed_scenes: 2 });
  await t(boat.task_id, 'complete', { final_video_path: file('boat-final.webm', 'final.webm') });

  const cat = await create('bo', PROMPTS.cat, 2);
  await t(cat.task_id, 'start');
  await t(cat.task_id, 'scripts', {
    scripts: [
      { scene_number: 1, description: '橘猫轻轻跳过屋顶上的烟囱', duration: 2.5, camera_movement: '跟拍', lighting: '黄昏' },
      { scene_number: 2, description: '蝴蝶停在湿漉漉的瓦片上，猫咪屏住呼吸', duration: 3, camera_movement: '特写', lighting: '逆光' },
    ],
  });
  await t(cat.task_id, 'videos', { scene_number: 1, file_path: file('cat-1.webm', 'scene.webm'), ...clip });
  await t(cat.task_id, 'progress', { progress: 70, completed_scenes: 1 });
  await t(cat.task_id, 'complete', { final_video_path: file('cat-final.webm', 'final.webm') });

  const running = await create('ann', PROMPTS.running, 4);
  await t(running.task_id, 'start');
  await t(running.task_id, 'progress', { progress: 40, completed_scenes: 1 });

  const failed = await create('bo', PROMPTS.failed, 3);
  await t(failed.task_id, 'start');
  await t(failed.task_id, 'fail', { message: 'Scene 2 render timed out after 300 s on the GPU worker.' });

  const cancelled = await create('ann', PROMPTS.cancelled, 2);
  await t(cancelled.task_id, 'cancel');

  const missing = await create('ann', PROMPTS.missing, 1);
  await t(missing.task_id, 'start');
  const gone = file('lighthouse-final.webm', 'final.webm');
  await t(missing.task_id, 'complete', { final_video_path: gone });
  rmSync(gone);

  const pending = await create('bo', PROMPTS.pending, 3);

  return { ann, bulk, bulkSeconds, ids: { boat: boat.task_id, cat: cat.task_id, running: running.task_id, failed: failed.task_id, cancelled: cancelled.task_id, missing: missing.task_id, pending: pending.task_id }, boatScene1 };
}
