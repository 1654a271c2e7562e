/** Where a source's boundary is (activities/boundary/), as the source workflow carries it with the watermark. */
export interface BoundaryRef {
  key: string;
  versions: number;
}
