/**
 * The addresses of mirrored objects: `<kind>.<replicate name>["<key>"]`, the block's name where a
 * resource block's name would be, so `--target`, the state and the plan treat them like any other.
 * Pure.
 */
import {formatAddress} from '../model/address.js'
import type {KindName} from '../model/change.js'

/** The address of the object with `key` mirrored by block `replicate`. */
export function mirrorAddress(kind: KindName, replicate: string, key: string): string {
  return formatAddress({kind, name: replicate, key})
}

/** Whether `address` is one of block `replicate`'s addresses. */
export function isMirrorAddress(address: string, replicate: string): boolean {
  const dot = address.indexOf('.')
  return dot > 0 && address.startsWith(`${replicate}[`, dot + 1)
}
