// The work module's public surface: tasks for the offices that must act on alerts.
export { SYNC_QUEUE, scheduleTaskSweep, syncTasksHandler } from './sync-job.ts';
export { checkTasks, type TaskProblem } from './check-tasks.ts';
export { syncTasks, type SyncDeps, type SyncOptions, type SyncResult } from './sync-tasks.ts';
export {
  listTasks,
  getTask,
  officeSummary,
  listOffices,
  officeVersions,
  MAX_PAGE,
  type WorklistFilter,
  type WorklistPage,
  type WorklistTask,
  type TaskDetail,
  type OfficeSummary,
} from './worklist.ts';
export { assignTask, bulkAssign, addNote, addAttachment, closeTask, type TaskDeps } from './update-task.ts';
export { OUTCOMES, userOutcomes, checkClose, type OutcomeCode } from './outcomes.ts';
export { dueState, DUE_SOON_DAYS, SEVERITY_RANK, type DueState } from './deadlines.ts';
export { requireOffice, worksIn, type Actor } from './policy.ts';
export { fieldOfficeFor, FIELD_OFFICES, type FieldOffice } from './field-offices.ts';
