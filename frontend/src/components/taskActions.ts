// What a click on a task in the history's list or grid does.
import { toApiError, type Task } from '../api';
import { routeHash } from '../lib/route';
import { showToast } from './Toast';

/** Opens the task's page. */
export function openTask(t: Task): void {
  location.hash = routeHash({ screen: 'task', taskId: t.task_id });
}

/** Stars or rates a task and shows the answer; a failure says why in a toast. */
export function changeTask(change: Promise<Task>, onChanged: (t: Task) => void): void {
  change.then(onChanged, (e) => showToast(toApiError(e).message));
}
