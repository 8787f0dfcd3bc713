import { render } from 'preact';
import { App } from './App';
import { startNotifications } from './state';
import './styles.css';
import { getLocale } from './i18n';

document.documentElement.lang = getLocale();

startNotifications();
render(<App />, document.getElementById('app') as HTMLElement);
