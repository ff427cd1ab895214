import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'solid-js/web';
import { createApi } from './api.ts';
import { App } from './App.tsx';
import { createSseSource } from './live.ts';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
render(() => <App api={createApi()} live={createSseSource('/api/stream')} />, root);
