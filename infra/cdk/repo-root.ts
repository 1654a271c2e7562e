import { fileURLToPath } from 'node:url';

/** The repository's root: the image's build context and the base of every asset path. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
