/**
 * The DataSource the TypeORM CLI loads (`npm run migration:run|revert|generate`): the same options as the
 * app, pointed at the validated DATABASE_URL.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../config/env.js';
import { dataSourceOptions } from './data-source.js';

export default new DataSource(dataSourceOptions(loadConfig().databaseUrl));
