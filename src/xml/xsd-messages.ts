/**
 * Turns libxml2's schema-validity messages into texts that carry no content of the message.
 *
 * libxml2 quotes the offending value ("Element 'x': 'Müller' is not a valid value …"), and
 * values in XMeld messages are personal data. Only the parts that come from the schema are
 * kept: element and attribute names, facet names, type names, fixed values, expected
 * elements. A message that matches none of the known forms is replaced by a generic text, so
 * a libxml2 wording change can never leak a value.
 */

export interface SanitisedMessage {
  /** Element the message is about, as libxml2 names it (`name` or `{namespace}name`). */
  element?: string;
  reason: string;
}

/** Used when a message has a form this module does not know. */
export const WITHHELD_REASON = 'invalid content (details withheld)';

// XML names cannot contain apostrophes, so '[^']*' safely delimits names.
const HEAD = /^Element '([^']*)'(?:, attribute '([^']*)')?: ([\s\S]*)$/;

/** Messages that quote no value at all: kept as they are. */
const VALUE_FREE: RegExp[] = [
  /^This element is not expected\.(?: Expected is (?:one of )?\( [^']* \)\.)?$/,
  /^Missing child element\(s\)\.(?: Expected is (?:one of )?\( [^']* \)\.)?$/,
  /^The attribute '[^']*' is required but missing\.$/,
  /^The attribute '[^']*' is not allowed\.$/,
  /^Character content other than whitespace is not allowed because the content type is '[A-Za-z-]+'\.$/,
  /^Character content is not allowed, because the content type is empty\.$/,
  /^Element content is not allowed, because [^']*\.$/,
  /^No matching global declaration available for the validation root\.$/,
  /^The element is declared as abstract[^']*\.$/,
];

/** Facet violations: "[facet 'x'] The value '<value>' …" — the value is dropped. */
const FACET = /^\[facet '([A-Za-z]+)'\] /;
const FACET_TEXT: Record<string, string> = {
  pattern: 'The value does not match the required pattern.',
  enumeration: 'The value is not one of the allowed values.',
  length: 'The value does not have the required length.',
  minLength: 'The value is shorter than allowed.',
  maxLength: 'The value is longer than allowed.',
  minInclusive: 'The value is below the allowed range.',
  minExclusive: 'The value is below the allowed range.',
  maxInclusive: 'The value is above the allowed range.',
  maxExclusive: 'The value is above the allowed range.',
  totalDigits: 'The value has too many digits.',
  fractionDigits: 'The value has too many fraction digits.',
};

/** "'<value>' is not a valid value of the atomic type 'T'." — anchored at the end, so a
 *  value that imitates the wording cannot change what is kept. */
const NOT_VALID_OF_TYPE = /is not a valid value of the ((?:local )?(?:atomic |list |union )?)type(?: '([^']*)')?\.?$/;
/** "The value '<value>' does not match the fixed value constraint 'F'." */
const FIXED = /^The value '[\s\S]*' does not match the fixed value constraint '([^']*)'\.$/;

export function sanitiseValidationMessage(raw: string): SanitisedMessage {
  const message = raw.trim();
  const head = HEAD.exec(message);
  if (head === null) {
    return VALUE_FREE.some((re) => re.test(message)) ? { reason: message } : { reason: WITHHELD_REASON };
  }
  const element = head[1] ?? '';
  const attribute = head[2];
  const rest = head[3] ?? '';
  const reason = sanitiseRest(rest);
  return {
    element,
    reason: attribute === undefined ? reason : `attribute '${attribute}': ${reason}`,
  };
}

function sanitiseRest(rest: string): string {
  if (VALUE_FREE.some((re) => re.test(rest))) return rest;

  const facet = FACET.exec(rest);
  if (facet !== null) {
    const name = facet[1] ?? '';
    return `[facet '${name}'] ${FACET_TEXT[name] ?? 'The value violates this facet.'}`;
  }

  const fixed = FIXED.exec(rest);
  if (fixed !== null) return `The value does not match the fixed value constraint '${fixed[1] ?? ''}'.`;

  if (rest.startsWith("'") || rest.startsWith('The value ')) {
    const typed = NOT_VALID_OF_TYPE.exec(rest);
    if (typed !== null) {
      const type = typed[2] === undefined ? '' : ` '${typed[2]}'`;
      return `The value is not a valid value of the ${typed[1] ?? ''}type${type}.`;
    }
  }
  return WITHHELD_REASON;
}
