import { useAsync } from '../lib/useAsync';
import { api } from '../state';
import { CopyButton } from './CopyButton';

/** Teaches how a pipeline starts writing to Reelvault: one copyable curl line. */
export function PipelineHint() {
  // In a browser the API is this page's origin; the window serves it on the
  // loopback address its status reports.
  const status = useAsync(() => (api.transport === 'wails' ? api.status() : Promise.resolve(undefined)), []);
  const base = api.transport === 'wails' ? status.data?.api_url ?? 'http://127.0.0.1:7788' : location.origin;
  const curl = `curl -X POST ${base}/api/v1/tasks -H "Authorization: Bearer $REELVAULT_KEY" -H "Content-Type: application/json" -d '{"prompt":"A paper boat drifting down a rainy street","total_scenes":3}'`;
  return (
    <div class="empty" data-empty="none">
      <h3>No tasks yet</h3>
      <p class="muted">
        Reelvault keeps every run of your video pipeline: the prompt, the scene scripts, each clip and the final
        video. Create a user under <a href="#/users">Users &amp; keys</a>, put its key in <code>REELVAULT_KEY</code>,
        and have your pipeline record each run:
      </p>
      <div class="codeline">
        <code>{curl}</code>
        <CopyButton text={curl} />
      </div>
      <p class="faint">Then report progress with POST …/tasks/&#123;id&#125;/start, /progress and /complete.</p>
    </div>
  );
}
