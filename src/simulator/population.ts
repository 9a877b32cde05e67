/**
 * The fixture population: invented residents per Land, loaded from YAML and checked on load so
 * a typo in the fixture fails loudly instead of silently producing "not found".
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { isLandCode, landOfAgsPrefix, type LandCode } from './lands.js';

const agsSchema = z.string().regex(/^\d{8}$/, 'AGS must be 8 digits');
const dateSchema = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be YYYY-MM-DD');

const addressSchema = z.object({
  strasse: z.string().min(1),
  hausnummer: z.string().min(1),
  postleitzahl: z.string().regex(/^\d{5}$/),
  wohnort: z.string().min(1),
});

const personSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/, 'id: lower-case letters, digits, hyphens'),
  ags: agsSchema,
  familienname: z.string().min(1),
  vornamen: z.string().min(1),
  geburtsdatum: dateSchema,
  geschlecht: z.enum(['m', 'w', 'd', 'x']),
  /** Former sex entries (§ 2 SBGG), given only in 26.11 answers. */
  fruehererGeschlechtseintrag: z.array(z.object({
    geschlecht: z.enum(['m', 'w', 'd', 'x']),
    aenderungsdatum: dateSchema.optional(),
  })).default([]),
  /** Destatis Staatsangehörigkeit key; 000 = deutsch. */
  staatsangehoerigkeit: z.string().regex(/^\d{3}$/).default('000'),
  anschrift: addressSchema,
  auskunftssperre: z.boolean().default(false),
  /** id of the spouse in the same Land (partnerschaftstyp EG). */
  partner: z.string().optional(),
  /** ids of the children in the same Land. */
  kinder: z.array(z.string()).default([]),
});

const populationSchema = z.object({
  lands: z.record(z.string(), z.object({ persons: z.array(personSchema).default([]) })),
});

export type Person = z.infer<typeof personSchema>;
export type Address = z.infer<typeof addressSchema>;
export type Population = Readonly<Partial<Record<LandCode, readonly Person[]>>>;

/** Where the committed fixture lives, relative to this module (works from src/ and dist/src/). */
export function defaultPopulationPath(): string {
  const here = fileURLToPath(import.meta.url);
  const root = here.includes('/dist/src/') ? '../../../fixtures' : '../../fixtures';
  return fileURLToPath(new URL(`${root}/population.yaml`, import.meta.url));
}

export class PopulationError extends Error {
  override readonly name = 'PopulationError';
}

/** Validates parsed YAML and the cross-references (Land of each AGS, partner/kinder ids). */
export function populationFromData(data: unknown): Population {
  const parsed = populationSchema.safeParse(data);
  if (!parsed.success) throw new PopulationError(`invalid population: ${parsed.error.message}`);
  const result: Partial<Record<LandCode, Person[]>> = {};
  const seen = new Set<string>();
  for (const [land, { persons }] of Object.entries(parsed.data.lands)) {
    if (!isLandCode(land)) throw new PopulationError(`unknown Land code ${land}`);
    for (const p of persons) {
      if (landOfAgsPrefix(p.ags) !== land) throw new PopulationError(`${p.id}: AGS ${p.ags} is not in Land ${land}`);
      if (seen.has(p.id)) throw new PopulationError(`duplicate person id ${p.id}`);
      seen.add(p.id);
    }
    const ids = new Set(persons.map((p) => p.id));
    for (const p of persons) {
      for (const ref of [...(p.partner ? [p.partner] : []), ...p.kinder]) {
        if (!ids.has(ref)) throw new PopulationError(`${p.id}: relative ${ref} not found in Land ${land}`);
      }
    }
    result[land] = persons;
  }
  return result;
}

export function populationFromYaml(text: string): Population {
  return populationFromData(parse(text));
}

export async function loadPopulation(path: string = defaultPopulationPath()): Promise<Population> {
  return populationFromYaml(await readFile(path, 'utf8'));
}
