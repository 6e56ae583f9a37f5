/**
 * How deep any JSON we take in may nest: a model's reply and the store's input alike. Real plans,
 * files and reports stay far below it; beyond it, recursive code (validation, JSON.stringify) would
 * run out of stack.
 */
export const MAX_JSON_DEPTH = 64;
