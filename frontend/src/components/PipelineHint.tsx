import { useAsync } from '../lib/useAsync';
import { api } from '../state';
import { CopyButton } from './CopyButton';
import { DataFolder } from './DataFolder';

/**
 * The first run's welcome, instead of an empty history: where the data
 * lives, and how a pipeline starts writing to Reelvault (a key, the URL to
 * post to, one copyable curl line).
 */
export function PipelineHint() {
  // In a browser the API is this page's origin; the window serves it on the
  // loopback address its status reports.
  const status = useAsync(() => (api.transport === 'wails' ? api.status() : Promise.resolve(undefined)), []);
  const base = api.transport === 'wails' ? status.data?.api_url ?? 'http://127.0.0.1:7788' : location.origin;
  const curl = `curl -X POST ${base}/api/v1/tasks -H "Authorization: Bearer $REELVAULT_KEY" -H "Content-Type: application/json" -d '{"prompt":"A paper boat drifting down a rainy street","total_scenes":3}'`;
  const dataDir = status.data?.data_dir;
  return (
    <div class="empty" data-empty="none">
      <h3>Welcome to Reelvault</h3>
      <p class="muted">
        Reelvault keeps every run of your video pipeline on this computer: the prompt, the scene scripts, each clip and
        the final video.{dataDir ? ' It keeps them in this folder:' : ''}
      </p>
      {dataDir && <DataFolder path={dataDir} />}
      <p class="muted">
        To connect a pipeline, create a user and its key under <a href="#/users">Users &amp; keys</a> (or
        run <code>reelvault user add NAME</code>), put the key in <code>REELVAULT_KEY</code>, and have the pipeline post
        each run to <code>{base}/api/v1/tasks</code>:
      </p>
      <div class="codeline">
        <code>{curl}</code>
        <CopyButton text={curl} />
      </div>
      <p class="faint">Then report progress with POST …/tasks/&#123;id&#125;/start, /progress and /complete.</p>
    </div>
  );
}
