/**
 * The DynamoDB adapter of the inventory store, one module per concern under
 * `shared/adapters/dynamodb/`: the table layout (keys, rows), the cancellation
 * translation, cursors and the store itself. This module is their public face.
 */
export * from './dynamodb/inventory-store.ts';
export * from './dynamodb/table-layout.ts';
