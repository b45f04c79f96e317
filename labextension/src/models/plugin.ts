/**
 * The models part of the JupyterLab extension (nothing yet).
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IMlopsLab } from '../tokens';

export const modelsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlops-lab:models',
  description: 'mlops-lab models.',
  autoStart: true,
  requires: [IMlopsLab],
  activate: (app: JupyterFrontEnd, lab: IMlopsLab) => {
    void app;
    void lab;
  }
};
