import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'gavel:isPublic';

/** Opts a route out of the global JWT guard. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
