import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.IHistory;
const HistoryMessage = temporal.api.history.v1.History;

/**
 * Histories are committed as the plain objects of @temporalio/proto's own History message
 * (longs and bytes as strings, enums by name), read back with the same message type.
 * The SDK's historyFromJSON cannot be used here: @temporalio/common bundles another
 * protobufjs major than @temporalio/proto, and their types do not mix ("type must be a Type").
 */
export function historyToObject(history: History): object {
  return HistoryMessage.toObject(HistoryMessage.fromObject(history), { longs: String, enums: String, bytes: String });
}

export function historyFromObject(object: object): temporal.api.history.v1.History {
  return HistoryMessage.fromObject(object);
}
