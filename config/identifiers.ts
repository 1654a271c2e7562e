import { z } from 'zod';

/** The id of a source or a dataset: part of workflow ids, S3 keys and CLI arguments. */
export const identifier = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9_-]*$/,
    'use lowercase letters, digits, "-" and "_", starting with a letter or digit',
  );

/** An S3 key prefix of the lake's zones. */
export const keyPrefix = z
  .string()
  .regex(/^[A-Za-z0-9._=-]+(\/[A-Za-z0-9._=-]+)*$/, 'a key prefix without leading or trailing "/"');
