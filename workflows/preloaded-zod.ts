import { z } from 'zod';

// Loaded once into the worker's reused V8 context (workers/workflow-bundle.ts, `preloadModules`),
// so every cached workflow shares one zod instead of evaluating its ~95 modules again: about
// 0.55 MB of heap per cached workflow. The SDK freezes preloaded modules after loading them, and
// zod sets its default locale and memoizer in its global config the first time a schema is built
// and parsed; building and parsing one here sets both before the freeze (otherwise the first
// schema a workflow builds fails with "object is not extensible").
z.object({ warm: z.string() }).safeParse({ warm: '' });

export const preloadedZod = z;
