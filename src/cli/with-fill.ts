/** @module Connects to Temporal for a command about one fill and reads the fill's state, with errors
 * that name the address tried and the fill asked for. */
import { FillflowClient, type FillState } from '../client.js';
import { payloadCodecFromConfig } from '../codec/data-converter.js';
import { ConfigError, loadConfig } from '../config.js';
import { CliError, ExitCode } from './cli-error.js';
import { LOCAL_ADDRESS } from './service-commands.js';

/** Runs `body` with a connected client and the fill's current state; the connection is closed after. */
export async function withFill<T>(fillId: string, body: (client: FillflowClient, state: FillState) => Promise<T>): Promise<T> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) throw new CliError(err.message);
    throw err;
  }
  const address = config.temporal.address ?? LOCAL_ADDRESS;
  // The fill's result and progress are encrypted when the workers encrypt: read them with the same keys.
  const codec = payloadCodecFromConfig(config);
  const client = await FillflowClient.connect({ address, namespace: config.temporal.namespace, codec }).catch((err: Error) => {
    // The client's message already names the address it tried.
    throw new CliError(err.message, ExitCode.unavailable);
  });
  try {
    const state = await client.getFill(fillId).catch((err: Error) => {
      throw new CliError(err.name === 'WorkflowNotFoundError' ? `no fill "${fillId}" on ${address}` : err.message);
    });
    return await body(client, state);
  } finally {
    await client.close();
  }
}
