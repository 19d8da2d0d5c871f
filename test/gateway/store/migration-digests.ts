// Digests of the migrations already released: databases in the field have them applied, so they must never change.
import { createHash } from 'node:crypto';

export const sha256Of = (text: string): string => createHash('sha256').update(text).digest('hex');

/** SHA-256 of `"<version> <name>\n<sql>"` (PostgreSQL's SQL rendered for the schema `"x"`), versions 1–3. */
export const APPLIED_MIGRATION_SHA256 = {
  sqlite: [
    '70585b40107ed5262de4e86a70d0458adde74b659c843fedd37285229b7d8c4e',
    '33e1ed98e4a5a605fb9df712da0d4363f21052cf30d45c626dbf148af200e194',
    'de742705871a153f967eafd21e9b6471373cdd9879ffa1b9621a21bc221f3868',
  ],
  postgres: [
    'fafc03a3f4f37756d5f6f03190f7fe3f7e95ef7aca53cad9371b794d21a83d65',
    '682e895240c7e54e1f43c1b99404d6d59a053997f192443530587beb7462f387',
    'a55058357156c80c0aa3b1cfe5c3f64dd7dcd7ebe70c58a478754605d3ca668c',
  ],
} as const;
