import { describe, expect, it } from 'vitest';
import { parseCommaName, parseFreeTextName, parseSplitName } from './names.ts';

const n = (givenNames: string | null, surname1: string | null, surname2: string | null) => ({
  givenNames,
  surname1,
  surname2,
});

describe('Hispanic name parsing', () => {
  it.each([
    ['GARCIA LOPEZ', 'MARIA JOSE', n('MARIA JOSE', 'GARCIA', 'LOPEZ')],
    ['García López', 'María José', n('MARIA JOSE', 'GARCIA', 'LOPEZ')],
    ['GARCIA', 'JUAN', n('JUAN', 'GARCIA', null)],
    ['DE LA CRUZ LOPEZ', 'ANA', n('ANA', 'DE LA CRUZ', 'LOPEZ')],
    ['LOPEZ DE LA CRUZ', 'ANA', n('ANA', 'LOPEZ', 'DE LA CRUZ')],
    ['DEL CID PEREZ', 'JOSUE', n('JOSUE', 'DEL CID', 'PEREZ')],
    ['DE LOS SANTOS', 'PEDRO', n('PEDRO', 'DE LOS SANTOS', null)],
    ['GARCIA-LOPEZ', 'MARIA', n('MARIA', 'GARCIA', 'LOPEZ')],
    ['GARCIA Y LOPEZ', 'MARIA', n('MARIA', 'GARCIA', 'LOPEZ')],
    ['TZUL AJU', 'Ixchel', n('IXCHEL', 'TZUL', 'AJU')],
    ["K'ICHE' XOC", 'BALAM', n('BALAM', "K'ICHE'", 'XOC')],
    ['Núñez Ordóñez', 'Dulce Ñusta', n('DULCE NUSTA', 'NUNEZ', 'ORDONEZ')],
    ['', 'PEDRO', n('PEDRO', null, null)],
  ])('surnames %j, given %j', (surnames, given, expected) => {
    expect(parseSplitName(surnames, given)).toEqual(expected);
  });

  it.each([
    ['GARCIA LOPEZ, MARIA JOSE', n('MARIA JOSE', 'GARCIA', 'LOPEZ')],
    ['DE LEON, JUAN', n('JUAN', 'DE LEON', null)],
    ['CHOC  CAAL ,  ROSA  ELENA', n('ROSA ELENA', 'CHOC', 'CAAL')],
    ['PEREZ GOMEZ MARIA', null], // no comma: the order is unknown
  ])('LAST, FIRST: %j', (text, expected) => {
    expect(parseCommaName(text)).toEqual(expected);
  });

  it.each([
    ['MARIA JOSE GARCIA LOPEZ', n('MARIA JOSE', 'GARCIA', 'LOPEZ')],
    ['JOSE GARCIA LOPEZ', n('JOSE', 'GARCIA', 'LOPEZ')],
    ['JUAN CARLOS LOPEZ', n('JUAN CARLOS', 'LOPEZ', null)],
    ['ANA DE LA CRUZ LOPEZ', n('ANA', 'DE LA CRUZ', 'LOPEZ')],
    ['ANA LOPEZ DE LA CRUZ', n('ANA', 'LOPEZ', 'DE LA CRUZ')],
    ['MARIA DEL CARMEN TZUL CAAL', n('MARIA DEL CARMEN', 'TZUL', 'CAAL')],
    ['JOSE DE JESUS PEREZ', n('JOSE DE JESUS', 'PEREZ', null)],
    ['BRAYAN ALEXANDER CHOC POP', n('BRAYAN ALEXANDER', 'CHOC', 'POP')],
    ['ROSA MARIA ELENA PEREZ GOMEZ', n('ROSA MARIA ELENA', 'PEREZ', 'GOMEZ')],
    ['PEDRO PEREZ', n('PEDRO', 'PEREZ', null)],
    ['XOC', n(null, 'XOC', null)],
    ['', n(null, null, null)],
  ])('FIRST MIDDLE LAST: %j', (text, expected) => {
    expect(parseFreeTextName(text)).toEqual(expected);
  });
});
