import { render } from 'preact';
import { App } from './App';
import { startNotifications } from './state';
import './styles.css';
import { getLocale } from './i18n';

// The bundle runs: a mark for the launch trace of the window.
performance.mark('rv:main');
document.documentElement.lang = getLocale();

startNotifications();
render(<App />, document.getElementById('app') as HTMLElement);
