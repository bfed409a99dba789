import { startApp } from './app.js';
import { readConfig } from './lib/config.js';

startApp(document.getElementById('app')!, readConfig(location));
