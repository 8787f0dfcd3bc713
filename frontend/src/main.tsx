import { render } from 'preact';
import { App } from './App';
import { startNotifications } from './state';
import './styles.css';

startNotifications();
render(<App />, document.getElementById('app') as HTMLElement);
