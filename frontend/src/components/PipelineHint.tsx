import { CopyButton } from './CopyButton';

/** The API base a pipeline talks to: this page's origin in a browser. */
function apiBase(): string {
  return location.protocol.startsWith('http') ? location.origin : 'http://127.0.0.1:7788';
}

/** Teaches how a pipeline starts writing to Reelvault: one copyable curl line. */
export function PipelineHint({ apiUrl }: { apiUrl?: string }) {
  const base = apiUrl ?? apiBase();
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
