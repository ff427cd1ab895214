import { benchDashboard } from './bench/dashboard.ts';
benchDashboard({ years: 1, pageLoads: 1, redraws: 1, build: false, readPathSeconds: 8, log: console.log }).then((b) => {
  console.log(JSON.stringify(b.readPath?.product), JSON.stringify(b.readPath?.bare));
});
