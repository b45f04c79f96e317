/**
 * The datasets part of the JupyterLab extension (nothing yet).
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IMlopsLab } from '../tokens';

export const datasetsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlops-lab:datasets',
  description: 'mlops-lab datasets.',
  autoStart: true,
  requires: [IMlopsLab],
  activate: (app: JupyterFrontEnd, lab: IMlopsLab) => {
    void app;
    void lab;
  }
};
