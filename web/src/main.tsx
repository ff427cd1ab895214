import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { render } from 'solid-js/web';
import { App } from './App.tsx';
import { openBackend } from './backend.ts';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
const poll = Number(import.meta.env.VITE_POLL_SECONDS);
const backend = await openBackend(import.meta.env);
render(
  () => (
    <App
      api={backend.api}
      live={backend.live}
      liveLabel={backend.label}
      {...(Number.isInteger(poll) && poll > 0 ? { pollSeconds: poll } : {})}
    />
  ),
  root,
);
