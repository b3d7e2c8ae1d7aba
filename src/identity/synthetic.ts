// A synthetic population of canonical records with the truth of who is who: for tests and the
// link benchmark when no simulator output is at hand. Only invented people; the noise follows the
// feed contract (missing and mistyped A-numbers, surnames swapped or missing, sound-alike spellings,
// day/month swaps, twins and siblings).
import type { LinkInput } from './record-table.ts';
import { seededRandom } from './train-model.ts';
import { dayNumber, dayToIso } from './names.ts';

const GIVEN_M = [
  'JOSE',
  'JUAN',
  'CARLOS',
  'LUIS',
  'JORGE',
  'MIGUEL',
  'ANGEL',
  'JESUS',
  'KEVIN',
  'BRAYAN',
  'ANDERSON',
  'WILMER',
  'EDWIN',
  'ERICK',
  'SANTOS',
  'SANTIAGO',
  'MARVIN',
  'ELMER',
  'BYRON',
  'NERY',
  'OSCAR',
  'DENIS',
  'FRANKLIN',
  'JOSUE',
  'DIEGO',
  'CRISTIAN',
  'WALTER',
  'HECTOR',
  'MARIO',
  'RONALDO',
  'YONI',
  'GILBERTO',
  'ALEXANDER',
  'DARWIN',
  'EDGAR',
  'FREDY',
  'HUGO',
  'IVAN',
  'JAVIER',
  'MANUEL',
  'PEDRO',
  'RAMON',
  'VICTOR',
  'WILLIAM',
  'XAVIER',
  'BALTAZAR',
  'TOMAS',
  'DOMINGO',
  'ILDEFONSO',
  'JACINTO',
];
const GIVEN_F = [
  'MARIA',
  'ANA',
  'YESENIA',
  'JENNIFER',
  'KATERIN',
  'DAYANA',
  'SULMY',
  'GLENDY',
  'ROSA',
  'ELENA',
  'ESTEFANY',
  'HEIDY',
  'YOSELIN',
  'MARLENI',
  'LESLY',
  'KIMBERLY',
  'FLOR',
  'SANDRA',
  'BRENDA',
  'KARLA',
  'XIOMARA',
  'NAYELI',
  'DULCE',
  'ILSE',
  'JOSELYN',
  'MAYRA',
  'WENDY',
  'ROSALIA',
  'CANDELARIA',
  'JUANA',
  'XOCHITL',
  'ITZEL',
  'LUCIA',
  'ALBA',
  'EVELYN',
  'GABRIELA',
  'VIVIANA',
  'ZULMA',
  'IRMA',
  'MARTA',
];
const MIDDLE = [
  'JOSE',
  'MARIA',
  'ANTONIO',
  'ALEJANDRO',
  'DEL CARMEN',
  'GUADALUPE',
  'ISABEL',
  'FERNANDO',
  'DAVID',
  'ESTHER',
  'JAVIER',
];
const SURNAMES = [
  'GARCIA',
  'LOPEZ',
  'HERNANDEZ',
  'PEREZ',
  'MARTINEZ',
  'GONZALEZ',
  'RODRIGUEZ',
  'RAMIREZ',
  'CRUZ',
  'MENDEZ',
  'GOMEZ',
  'DIAZ',
  'REYES',
  'MORALES',
  'JIMENEZ',
  'VASQUEZ',
  'CASTILLO',
  'ORTIZ',
  'CHAVEZ',
  'RAMOS',
  'FLORES',
  'AGUILAR',
  'SANCHEZ',
  'ALVARADO',
  'ROMERO',
  'VELASQUEZ',
  'JUAREZ',
  'ESCOBAR',
  'ZELAYA',
  'MEJIA',
  'BAUTISTA',
  'DOMINGUEZ',
  'TZUL',
  'TUM',
  'XOL',
  'CHOC',
  'CAAL',
  'POP',
  'COC',
  'TIUL',
  'QUEJ',
  'ICAL',
  'CUC',
  'SUCUP',
  'AJCOT',
  'IXCOY',
  'CHAJ',
  'BATZ',
  'TAMBRIZ',
  'CHIGUIL',
  'ZAVALA',
  'VILLATORO',
  'BARRIOS',
  'CABRERA',
  'DE LEON',
  'DE LA CRUZ',
  'SOSA',
  'GUZMAN',
  'OSORIO',
  'PAZ',
  'YAX',
  'MACARIO',
  'AMBROCIO',
  'VICENTE',
  'RIVERA',
  'SICAN',
  'QUIEJ',
  'GUARCAS',
  'PU',
  'MATEO',
];
const COUNTRIES = ['GTM', 'GTM', 'GTM', 'HND', 'HND', 'SLV', 'SLV', 'MEX', 'ECU', 'NIC'];
// Sound-alike spellings a clerk may type.
const RESPELL: [RegExp, string][] = [
  [/V/, 'B'],
  [/B/, 'V'],
  [/Z/, 'S'],
  [/S$/, 'Z'],
  [/LL/, 'Y'],
  [/Y/, 'LL'],
  [/^H/, ''],
  [/QU/, 'K'],
  [/X/, 'J'],
  [/I$/, 'Y'],
  [/SS/, 'S'],
];

export interface NoiseLevel {
  name: string;
  aMissing: { cbp: number; orr: number };
  aTypo: number;
  secondANumber: number;
  nameTypo: number;
  respell: number;
  surnameSwap: number;
  surname2Missing: number;
  middleDropped: number;
  dobSwap: number;
  dobOff: number;
  twins: number;
  siblings: number;
}

export const DEFAULT_NOISE: NoiseLevel = {
  name: 'default',
  aMissing: { cbp: 0.15, orr: 0.6 },
  aTypo: 0.01,
  secondANumber: 0.01,
  nameTypo: 0.02,
  respell: 0.02,
  surnameSwap: 0.02,
  surname2Missing: 0.1,
  middleDropped: 0.15,
  dobSwap: 0.01,
  dobOff: 0.01,
  twins: 0.015,
  siblings: 0.05,
};

export const HEAVY_NOISE: NoiseLevel = {
  name: 'heavy',
  aMissing: { cbp: 0.3, orr: 0.8 },
  aTypo: 0.04,
  secondANumber: 0.03,
  nameTypo: 0.06,
  respell: 0.06,
  surnameSwap: 0.06,
  surname2Missing: 0.25,
  middleDropped: 0.3,
  dobSwap: 0.03,
  dobOff: 0.03,
  twins: 0.02,
  siblings: 0.08,
};

export interface SyntheticRecord extends LinkInput {
  truth: string;
}

interface Person {
  id: string;
  given: string;
  s1: string;
  s2: string | null;
  dob: string;
  sex: 'M' | 'F';
  country: string;
  aNumbers: string[];
  orrId: string;
  encounter: number;
  twin: boolean;
}

export function syntheticPopulation(
  children: number,
  noise: NoiseLevel = DEFAULT_NOISE,
  seed = 7,
): SyntheticRecord[] {
  const rnd = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(Math.pow(rnd(), 1.6) * xs.length)]!;
  const chance = (p: number) => rnd() < p;
  const start = dayNumber('2018-10-01');
  const span = dayNumber('2023-09-30') - start;
  let aSeq = 200_000_000;
  const newA = () => String((aSeq += 1 + Math.floor(rnd() * 97))).padStart(9, '0');
  const people: Person[] = [];
  const firstName = (sex: 'M' | 'F') => {
    const g = pick(sex === 'M' ? GIVEN_M : GIVEN_F);
    return chance(0.5) ? `${g} ${pick(MIDDLE)}` : g;
  };
  while (people.length < children) {
    const sex: 'M' | 'F' = chance(0.7) ? 'M' : 'F';
    const encounter = start + Math.floor(rnd() * span);
    const age = 13 + Math.floor(rnd() * 5) - (chance(0.16) ? 8 : 0);
    const dob = dayToIso(encounter - age * 365 - Math.floor(rnd() * 365));
    const p: Person = {
      id: `P${people.length + 1}`,
      given: firstName(sex),
      s1: pick(SURNAMES),
      s2: chance(0.9) ? pick(SURNAMES) : null,
      dob,
      sex,
      country: pick(COUNTRIES),
      aNumbers: [newA()],
      orrId: `UC${people.length + 1000001}`,
      encounter,
      twin: false,
    };
    if (chance(noise.secondANumber)) p.aNumbers.push(newA());
    people.push(p);
    if (people.length < children && chance(noise.twins)) {
      const sexT: 'M' | 'F' = chance(0.5) ? p.sex : p.sex === 'M' ? 'F' : 'M';
      let given = firstName(sexT);
      while (given === p.given) given = firstName(sexT);
      people.push({
        ...p,
        id: `P${people.length + 1}`,
        given,
        sex: sexT,
        aNumbers: [newA()],
        orrId: `UC${people.length + 1000001}`,
        twin: true,
      });
    } else if (people.length < children && chance(noise.siblings)) {
      const sexS: 'M' | 'F' = chance(0.6) ? 'M' : 'F';
      people.push({
        ...p,
        id: `P${people.length + 1}`,
        given: firstName(sexS),
        sex: sexS,
        dob: dayToIso(dayNumber(p.dob) - 400 - Math.floor(rnd() * 1500)),
        aNumbers: [newA()],
        orrId: `UC${people.length + 1000001}`,
      });
    }
  }

  const typo = (s: string) => {
    const i = Math.floor(rnd() * s.length);
    if (s[i] === ' ') return s;
    const c = String.fromCharCode(65 + Math.floor(rnd() * 26));
    return chance(0.5) ? s.slice(0, i) + c + s.slice(i + 1) : s.slice(0, i) + s.slice(i + 1);
  };
  const respell = (s: string) => {
    const rules = RESPELL.filter(([re]) => re.test(s));
    if (!rules.length) return s;
    const [re, to] = rules[Math.floor(rnd() * rules.length)]!;
    return s.replace(re, to);
  };
  const aTypo = (a: string) => {
    const i = Math.floor(rnd() * 8);
    if (chance(0.5)) return a.slice(0, i) + a[i + 1] + a[i] + a.slice(i + 2);
    return a.slice(0, i) + String((Number(a[i]) + 1 + Math.floor(rnd() * 8)) % 10) + a.slice(i + 1);
  };
  const dobNoise = (d: string) => {
    if (chance(noise.dobSwap) && Number(d.slice(8, 10)) <= 12)
      return `${d.slice(0, 4)}-${d.slice(8, 10)}-${d.slice(5, 7)}`;
    if (chance(noise.dobOff)) {
      const day = Math.min(28, Math.max(1, Number(d.slice(8, 10)) + (chance(0.5) ? 1 : -1)));
      return `${d.slice(0, 8)}${String(day).padStart(2, '0')}`;
    }
    return d;
  };

  const out: SyntheticRecord[] = [];
  let pk = 0;
  for (const p of people) {
    const a = () => {
      const base = p.aNumbers.length > 1 && chance(0.5) ? p.aNumbers[1]! : p.aNumbers[0]!;
      return chance(noise.aTypo) ? aTypo(base) : base;
    };
    const name = () => {
      let given = p.given;
      if (given.includes(' ') && chance(noise.middleDropped)) given = given.split(' ')[0]!;
      let s1: string | null = p.s1;
      let s2: string | null = p.s2;
      if (s2 && chance(noise.surname2Missing)) s2 = null;
      if (s2 && chance(noise.surnameSwap)) [s1, s2] = [s2, s1];
      if (chance(noise.nameTypo)) given = typo(given);
      if (chance(noise.nameTypo)) s1 = typo(s1);
      if (chance(noise.respell)) given = respell(given);
      if (chance(noise.respell)) s1 = respell(s1);
      return { given, surname1: s1, surname2: s2 };
    };
    const day = (d: number) => dayToIso(d);
    const rec = (source: string, eventType: string, ownDay: number, extra: Partial<LinkInput>) => {
      pk++;
      out.push({
        pk,
        source,
        recordId: `${source.toUpperCase()}-${pk}`,
        aNumber: null,
        orrId: null,
        idncase: null,
        dob: dobNoise(p.dob),
        sex: p.sex,
        country: p.country,
        ownDate: day(ownDay),
        eventType,
        ...name(),
        ...extra,
        truth: p.id,
      });
    };
    rec('cbp', 'ENCOUNTER', p.encounter, { aNumber: chance(noise.aMissing.cbp) ? null : a() });
    rec('ice', 'TRANSFER', p.encounter + 2, { aNumber: a() });
    const released = p.encounter + 3 + 20 + Math.floor(rnd() * 40);
    for (const [ev, d] of [
      ['ADMISSION', p.encounter + 3],
      ['RELEASE', released],
      ['SAFETY_CALL', released + 30],
    ] as const) {
      rec('orr', ev, d, { orrId: p.orrId, aNumber: chance(noise.aMissing.orr) ? null : a() });
    }
    if (chance(0.6)) rec('opla', 'NTA', released + 10 + Math.floor(rnd() * 200), { aNumber: a() });
    if (chance(0.5)) {
      const idncase = `${p.id}C`;
      const opened = released + 60 + Math.floor(rnd() * 200);
      const events = 1 + Math.floor(rnd() * 3);
      for (let e = 0; e < events; e++) {
        rec('eoir', e === 0 ? 'CASE_OPENED' : 'HEARING_SCHEDULED', opened + e * 40, {
          aNumber: a(),
          idncase,
          dob: null,
          sex: null,
          country: null,
        });
      }
    }
  }
  return out;
}
