import { type ValidationOptions, ValidateBy } from 'class-validator';

/** Printable ASCII without spaces, 1–128 chars: AWS connection ids (`R1kmxc2VNjMCFIA=`) and the local gateway's. */
export const CONNECTION_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

/** A non-negative integer id given as a JSON number or a numeric string (contract §5: clients echo ids as they got them). */
export function isIdLike(value: unknown): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0;
  return typeof value === 'string' && /^\d{1,19}$/.test(value);
}

export function IsIdLike(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIdLike',
      validator: {
        validate: isIdLike,
        defaultMessage: (args) =>
          `${args?.property ?? 'value'} must be a non-negative integer (number or numeric string)`,
      },
    },
    options,
  );
}
