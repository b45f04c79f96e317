/**
 * The dags part of the JupyterLab extension (nothing yet).
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IMlopsLab } from '../tokens';

export const dagsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlops-lab:dags',
  description: 'mlops-lab dags.',
  autoStart: true,
  requires: [IMlopsLab],
  activate: (app: JupyterFrontEnd, lab: IMlopsLab) => {
    void app;
    void lab;
  }
};
