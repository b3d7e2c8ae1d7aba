// Who may do what to a task, inside the work module (route permissions come on top). Pure.
import { BridgeError } from '../shared/errors.ts';

export interface Actor {
  id: string;
  /** Office ids the actor works in; '*' for every office. */
  offices: readonly string[];
  role: 'officer' | 'supervisor' | 'admin';
}

export function worksIn(actor: Actor, officeId: string): boolean {
  return actor.role === 'admin' || actor.offices.includes('*') || actor.offices.includes(officeId);
}

export function requireOffice(actor: Actor, officeId: string): void {
  if (!worksIn(actor, officeId)) {
    throw new BridgeError('FORBIDDEN', `${actor.id} does not work in office ${officeId}`);
  }
}

/** Assigning to someone else, and bulk assignment, is for supervisors of the office. */
export function requireSupervisor(actor: Actor, officeId: string): void {
  requireOffice(actor, officeId);
  if (actor.role === 'officer') {
    throw new BridgeError('FORBIDDEN', `only a supervisor may assign tasks of ${officeId} to others`);
  }
}
