import './base.css';
import './datasets.css';
import './features.css';
import './models.css';
import './serving.css';
import './pipelines.css';
import './dags.css';
import './monitoring.css';
