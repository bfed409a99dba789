import { startApp } from './app.js';
import { readConfig, servedWebSocketUrl } from './lib/config.js';

startApp(document.getElementById('app')!, readConfig(location, servedWebSocketUrl(document)));
