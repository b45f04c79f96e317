/**
 * The pipelines part of the JupyterLab extension (nothing yet).
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IMlopsLab } from '../tokens';

export const pipelinesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlops-lab:pipelines',
  description: 'mlops-lab pipelines.',
  autoStart: true,
  requires: [IMlopsLab],
  activate: (app: JupyterFrontEnd, lab: IMlopsLab) => {
    void app;
    void lab;
  }
};
