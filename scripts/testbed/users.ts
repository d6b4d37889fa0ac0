// Accounts for test-bed servers: fixed names, fresh random passwords per instance.
import { randomBytes } from "node:crypto";
import type { Account } from "./types";

export function randomAccounts(...names: string[]): Account[] {
  return names.map((user) => ({ user, password: randomBytes(12).toString("base64url") }));
}
