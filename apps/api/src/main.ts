/**
 * The API process: validates configuration, applies pending migrations, seeds demo data in development,
 * and listens on PORT. A bad configuration stops here with a message naming the variable.
 */
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory.js';
import { DEMO_PASSWORD, DEMO_USERS } from './config/dev-defaults.js';
import { ConfigValidationError, loadConfig } from './config/env.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp({ config });
  await app.listen(config.port);
  const logger = new Logger('Gavel');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  logger.log(`API listening on ${url} (docs: ${url}/docs, health: ${url}/health)`);
  if (config.nodeEnv === 'development') {
    logger.log(`Demo logins: ${DEMO_USERS.map((u) => u.email).join(', ')} — password "${DEMO_PASSWORD}"`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
