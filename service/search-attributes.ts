// Registers plan33's custom search attributes (PRODUCT.md) on a namespace. Idempotent: run it
// at every start. The time-skipping server refuses unregistered attributes, like a cluster.
import type { ConnectionLike } from '@temporalio/client';
import proto from '@temporalio/proto';
import { SEARCH_ATTRIBUTES } from '../plan/search-attributes';

const { IndexedValueType } = proto.temporal.api.enums.v1;

const INDEXED: Record<string, proto.temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: IndexedValueType.INDEXED_VALUE_TYPE_INT,
  DATETIME: IndexedValueType.INDEXED_VALUE_TYPE_DATETIME,
  TEXT: IndexedValueType.INDEXED_VALUE_TYPE_TEXT,
  BOOL: IndexedValueType.INDEXED_VALUE_TYPE_BOOL,
  DOUBLE: IndexedValueType.INDEXED_VALUE_TYPE_DOUBLE,
  KEYWORD_LIST: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST,
};

export async function registerSearchAttributes(connection: Pick<ConnectionLike, 'operatorService'>, namespace = 'default'): Promise<void> {
  // Only the missing ones: a namespace from an older release has some already, and adding
  // an existing one fails the whole call.
  const existing = await connection.operatorService.listSearchAttributes({ namespace }).then((r) => r.customAttributes ?? {}, () => ({}) as Record<string, unknown>);
  const missing = SEARCH_ATTRIBUTES.filter((k) => !(k.name in existing));
  if (missing.length === 0) return;
  const searchAttributes = Object.fromEntries(missing.map((k) => [k.name, INDEXED[k.type]!]));
  try {
    await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  } catch (err) {
    // gRPC ALREADY_EXISTS (6): registered before, by an earlier start.
    if ((err as { code?: number }).code === 6) return;
    throw err;
  }
}
