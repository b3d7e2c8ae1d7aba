#!/usr/bin/env -S node --max-semi-space-size=64
// Entry point for `npx bridge`: runs the TypeScript CLI through tsx so no build step is needed.
//
// A young generation of 64 MB semi-spaces (V8's default is 16): a server under load holds the
// objects of every request in flight, and each scavenge copies them again; with fewer scavenges a
// child's record and a worklist cost less CPU each (docs/benchmarks.md, API under load).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/main.ts');
