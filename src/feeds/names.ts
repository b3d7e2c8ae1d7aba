// Hispanic (and Mayan) personal names: given names, then the paternal surname, then the maternal
// surname. Particles (DE, DEL, DE LA, DE LOS, ...) belong to the surname that follows them
// ("DE LA CRUZ"). English parsers put the paternal surname in the middle-name slot, hence this file.
import { foldName } from './fields.ts';

export interface PersonName {
  /** Space-separated given names, or null when none were sent. */
  givenNames: string | null;
  /** Paternal (first) surname, particles included. */
  surname1: string | null;
  /** Maternal (second) surname; null when only one surname was sent. */
  surname2: string | null;
}

const PARTICLES = new Set([
  'DE',
  'DEL',
  'LA',
  'LAS',
  'LOS',
  'Y',
  'DA',
  'DAS',
  'DO',
  'DOS',
  'VAN',
  'VON',
  'DI',
]);

/**
 * Second given names so common that in free text ("FIRST MIDDLE LAST") they are read as given
 * names, not as a surname. Names that are just as often surnames (CRUZ, SANTIAGO, MARTIN) are left out.
 */
const COMMON_GIVEN = new Set([
  'JOSE',
  'MARIA',
  'JUAN',
  'LUIS',
  'CARLOS',
  'JESUS',
  'ANGEL',
  'ANTONIO',
  'MIGUEL',
  'FERNANDO',
  'ALEJANDRO',
  'DANIEL',
  'DAVID',
  'FRANCISCO',
  'JAVIER',
  'MANUEL',
  'PABLO',
  'PEDRO',
  'RAFAEL',
  'RICARDO',
  'ROBERTO',
  'EDUARDO',
  'ENRIQUE',
  'ERNESTO',
  'JORGE',
  'ARMANDO',
  'ALBERTO',
  'ANDRES',
  'ADRIAN',
  'ELIAS',
  'EMILIO',
  'ISAAC',
  'ISMAEL',
  'JOEL',
  'JONATHAN',
  'KEVIN',
  'BRAYAN',
  'BRIAN',
  'ANDERSON',
  'JOSUE',
  'NOE',
  'OSCAR',
  'OMAR',
  'WILMER',
  'WILLIAM',
  'ANA',
  'ROSA',
  'LUZ',
  'SOFIA',
  'CAMILA',
  'VALERIA',
  'GABRIELA',
  'FERNANDA',
  'ALEJANDRA',
  'ANDREA',
  'PAOLA',
  'DANIELA',
  'ESTEFANI',
  'FATIMA',
  'GUADALUPE',
  'ISABEL',
  'ELENA',
  'ESTHER',
  'TERESA',
  'PATRICIA',
  'MARLENE',
  'YESENIA',
  'JENNIFER',
  'KATHERINE',
  'NICOLE',
  'MICHELLE',
  'ABIGAIL',
  'ALEXANDER',
  'ALEXIS',
  'ERICK',
  'EDWIN',
  'ELMER',
  'FREDY',
  'HECTOR',
  'HUGO',
  'IVAN',
  'JAIME',
  'LUCAS',
  'MATEO',
  'MARCOS',
  'NELSON',
  'RAUL',
  'SAMUEL',
  'SERGIO',
  'VICTOR',
  'YOSELIN',
  'MILAGRO',
  'JOHANA',
]);

/** Given-name tails that look like surname particles: MARIA DEL CARMEN, JOSE DE JESUS. */
const GIVEN_TAILS = [
  ['DEL', 'CARMEN'],
  ['DE', 'LOS', 'ANGELES'],
  ['DE', 'JESUS'],
  ['DEL', 'ROSARIO'],
  ['DE', 'LA', 'LUZ'],
  ['DEL', 'PILAR'],
  ['DE', 'LOURDES'],
];
/** Only after these first names: ANA DE JESUS PEREZ keeps DE JESUS as a surname. */
const TAIL_FIRST_NAMES = new Set(['MARIA', 'JOSE']);

function tokens(text: string): string[] {
  // A hyphen joining two surnames (GARCIA-LOPEZ) is read as two surnames.
  return foldName(text).replace(/-/g, ' ').split(' ').filter(Boolean);
}

/** Groups tokens so that particles stay with the word they introduce: DE LA CRUZ is one group. */
export function surnameGroups(toks: readonly string[]): string[] {
  const groups: string[] = [];
  let pending: string[] = [];
  for (const t of toks) {
    // A lone Y between two surnames (GARCIA Y LOPEZ) only joins them.
    if (t === 'Y' && pending.length === 0 && groups.length > 0) continue;
    if (PARTICLES.has(t)) {
      pending.push(t);
      continue;
    }
    groups.push([...pending, t].join(' '));
    pending = [];
  }
  // Trailing particles with nothing after them stay on the last surname.
  if (pending.length) {
    if (groups.length) groups[groups.length - 1] += ' ' + pending.join(' ');
    else groups.push(pending.join(' '));
  }
  return groups;
}

function splitSurnames(groups: readonly string[]): Pick<PersonName, 'surname1' | 'surname2'> {
  if (groups.length === 0) return { surname1: null, surname2: null };
  return { surname1: groups[0]!, surname2: groups.length > 1 ? groups.slice(1).join(' ') : null };
}

const joinOrNull = (t: readonly string[]) => (t.length ? t.join(' ') : null);

/** Surnames and given names sent in separate fields (CBP, ORR, EOIR). */
export function parseSplitName(surnames: string, givenNames: string): PersonName {
  return { givenNames: joinOrNull(tokens(givenNames)), ...splitSurnames(surnameGroups(tokens(surnames))) };
}

/** `LAST, FIRST MIDDLE` (ICE); null without a comma (the order of the words is then unknown). */
export function parseCommaName(text: string): PersonName | null {
  const comma = text.indexOf(',');
  if (comma < 0) return null;
  return parseSplitName(text.slice(0, comma), text.slice(comma + 1));
}

/**
 * `FIRST MIDDLE LAST` free text (OPLA). Tokens are grouped with their particles, then:
 * - 1 group: a surname alone; 2 groups: given name + surname;
 * - 3 groups: given + two surnames, unless the second group is a common given name
 *   (JUAN CARLOS LOPEZ), then two given names + one surname;
 * - 4 or more: the last two groups are the surnames, the rest given names.
 * Given-name tails such as DEL CARMEN or DE JESUS right after the first name stay given names.
 */
export function parseFreeTextName(text: string): PersonName {
  const toks = tokens(text);
  if (toks.length === 0) return { givenNames: null, surname1: null, surname2: null };
  const given: string[] = [toks[0]!];
  let rest = toks.slice(1);
  for (const tail of TAIL_FIRST_NAMES.has(toks[0]!) ? GIVEN_TAILS : []) {
    if (rest.length > tail.length && tail.every((t, i) => rest[i] === t)) {
      given.push(...tail);
      rest = rest.slice(tail.length);
      break;
    }
  }
  const groups = surnameGroups(rest);
  if (given.length === 1 && groups.length === 0)
    return { givenNames: null, surname1: toks[0]!, surname2: null };
  let surnameGroupsFrom: number;
  if (groups.length <= 1) surnameGroupsFrom = 0;
  else if (groups.length === 2) surnameGroupsFrom = COMMON_GIVEN.has(groups[0]!) ? 1 : 0;
  else surnameGroupsFrom = groups.length - 2;
  const givenAll = [...given, ...groups.slice(0, surnameGroupsFrom)];
  return { givenNames: givenAll.join(' '), ...splitSurnames(groups.slice(surnameGroupsFrom)) };
}
