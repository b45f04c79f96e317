/**
 * The features part of the JupyterLab extension (nothing yet).
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { IMlopsLab } from '../tokens';

export const featuresPlugin: JupyterFrontEndPlugin<void> = {
  id: 'mlops-lab:features',
  description: 'mlops-lab features.',
  autoStart: true,
  requires: [IMlopsLab],
  activate: (app: JupyterFrontEnd, lab: IMlopsLab) => {
    void app;
    void lab;
  }
};
