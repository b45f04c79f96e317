/** How a DAG run is opened in the main area from another part's view (set by the DAGs plugin). */
import { makeOpener } from '../common/opener';

const dagRuns = makeOpener();
export const setDagRunOpener = dagRuns.set;
export const openDagRun = dagRuns.open;
