/** @module The one place a process turns its configuration into the payload codec every Temporal connection it
 * makes uses: built once at the edge (a CLI command, the local stack, FillflowClient.connect) and passed down. */
import type { DataConverter, PayloadCodec } from '@temporalio/common';
import type { FillflowConfig } from '../config.js';
import { AesGcmCodec } from './aes-gcm-codec.js';

/**
 * The codec for the configured keys. Without any, it writes payloads in clear and passes clear ones through, and
 * an encrypted payload is refused with a message naming its key id and the setting to put the key in, instead of
 * the converter's bare "Unknown encoding".
 */
export function payloadCodecFromConfig(config: Pick<FillflowConfig, 'encryption'>): AesGcmCodec {
  return new AesGcmCodec(config.encryption ?? { older: [] });
}

/** The `dataConverter` for a Client or Worker: the default converters, then the codec when there is one. */
export function dataConverterWith(codec: PayloadCodec | undefined): DataConverter {
  return codec ? { payloadCodecs: [codec] } : {};
}
