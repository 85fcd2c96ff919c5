"""The HTTP API's routes, one APIRouter per resource; serve_app/api.py assembles them. No Ray
import."""
