/**
 * The S3 object tag on quarantine objects (records a window's checks rejected), so a lifecycle
 * rule of the raw bucket can expire them sooner than the pages beside them.
 */
export const quarantineTag = { key: 'tributary-object', value: 'quarantine' } as const;
