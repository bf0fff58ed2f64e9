import { BadUserInputError } from './errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks an `ID` argument before it reaches a `uuid` column. */
export function parseId(value: string, argument = 'id'): string {
  if (!UUID.test(value)) throw new BadUserInputError(`${argument} is not a valid id`);
  return value.toLowerCase();
}
