import { useEffect, useRef, useState } from 'preact/hooks';
import type { Task } from '../api';
import { formatRelative } from '../lib/format';
import type { Picks } from '../lib/selection';
import { api } from '../state';
import { changeTask, openTask } from './taskActions';
import { StarButton } from './Stars';
import { StatusBadge } from './StatusBadge';
import { TaskThumb } from './TaskThumb';
import { t } from '../i18n';

/**
 * One tile of the grid view: the poster with a tick box in its corner, the
 * prompt, the status, the star. A click on the tick box picks the task
 * (Shift: the tiles from the last one clicked); anywhere else opens it.
 */
function GridTile({ task, index, picked, idle, onPick, onChanged }: {
  task: Task;
  index: number;
  picked: boolean;
  idle: boolean;
  onPick: (index: number, shift: boolean) => void;
  onChanged: (t: Task) => void;
}) {
  const hasVideo = task.status === 'completed' || task.completed_scenes > 0;
  return (
    <div class={picked ? 'grid-tile picked' : 'grid-tile'} role="listitem" data-task-id={task.task_id} onClick={() => openTask(task)}>
      <div class="tile-poster">
        {hasVideo ? <TaskThumb task={task} idle={idle} /> : <div class={`thumb blank st-${task.status}`} />}
        <input type="checkbox" class="pick" checked={picked} aria-label={t('bulk.pickRow')} data-testid="pick"
          onClick={(e) => {
            e.stopPropagation();
            onPick(index, e.shiftKey);
          }} />
      </div>
      <div class="tile-text">
        <div class="prompt-line" title={task.prompt}>
          {task.prompt}
        </div>
        <div class="sub-line">
          <StarButton starred={task.starred} onToggle={(on) => changeTask(api.setStar(task.task_id, on), onChanged)} />
          <StatusBadge status={task.status} /> <span class="faint">{formatRelative(task.created_at)}</span>
        </div>
      </div>
    </div>
  );
}

/** The grid view: tiles of tile px, picked as in the list, loading more near the end. */
export function GridView({ tasks, tile, picks, onPick, onNearEnd, onChanged, label }: {
  tasks: Task[];
  tile: number;
  picks: Picks;
  onPick: (index: number, shift: boolean) => void;
  onNearEnd: () => void;
  onChanged: (t: Task) => void;
  label: string;
}) {
  const [idle, setIdle] = useState(true);
  const timer = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => () => clearTimeout(timer.current), []);
  return (
    <div
      class={picks.all || picks.ids.size > 0 ? 'grid-view picking' : 'grid-view'}
      role="list"
      aria-label={label}
      style={{ '--tile': `${tile}px` }}
      onScroll={(e) => {
        const el = e.currentTarget as HTMLElement;
        if (el.scrollTop + el.clientHeight > el.scrollHeight - 2 * tile) onNearEnd();
        setIdle(false);
        clearTimeout(timer.current);
        timer.current = setTimeout(() => setIdle(true), 120);
      }}
    >
      {tasks.map((task, i) => (
        <GridTile key={task.task_id} task={task} index={i} picked={picks.all || picks.ids.has(task.task_id)} idle={idle} onPick={onPick} onChanged={onChanged} />
      ))}
    </div>
  );
}
