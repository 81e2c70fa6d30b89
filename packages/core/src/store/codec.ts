import { defaultDeserialize, defaultSerialize } from '@keyv/serialize';
import type { DeserializedData } from 'keyv';

/**
 * keyv's record format, read and written faster. keyv escapes string values that start with
 * ':' (by adding one more) and writes Buffers as ':base64:…'; its reader undoes that with a
 * JSON.parse reviver, a function call per value (2–3× slower than JSON.parse on a snapshot of
 * 10,000 users), and its writer is a recursive string builder.
 *
 * Here plain JSON.stringify / JSON.parse are used whenever the text holds no string value
 * starting with ':' — the only case where keyv's format differs from JSON — and keyv's own
 * functions otherwise. In keyv's compact JSON the opening quote of a string value follows ':',
 * ',' or '[' (or starts the text), so such a value shows as one of `:":`, `,":`, `[":` or a
 * leading `":`. A key that happens to end in ':' can match too; that only sends the record down
 * keyv's slower path, which is always correct. Records stay byte for byte what keyv writes, so
 * existing stores read back unchanged.
 */
const COLON_STRING = /[:,[]":|^":/;

export function serializeRecord<T>(data: DeserializedData<T>): string {
  const text = JSON.stringify(data);
  return COLON_STRING.test(text) ? defaultSerialize(data) : text;
}

export function deserializeRecord<T>(text: string): DeserializedData<T> | undefined {
  return (COLON_STRING.test(text) ? defaultDeserialize(text) : JSON.parse(text)) as DeserializedData<T> | undefined;
}

/** The keyv options that install the codec. */
export const RECORD_CODEC = { serialize: serializeRecord, deserialize: deserializeRecord } as const;
