"""Talk titles and presenters (first name, organisation) the generated channels, archives and
captions draw on: sample data, not a real community."""

TOPICS = [
    "Flyte Egress Events", "Data lineage with OpenLineage", "Scaling map tasks", "Type engine deep dive",
    "Running Spark on Flyte", "Flyte Decks", "Caching and reproducibility", "Launch plans in practice",
    "GPU scheduling on Kubernetes", "Dynamic workflows", "Pandera type checks", "Great Expectations plugin",
    "Feature stores with Feast", "Ray integration", "Secrets management", "Multi-cluster deployments",
    "Agents framework", "Flytekit 1.0 release", "Observability with Prometheus", "Human-in-the-loop workflows",
]
PEOPLE = [
    ("Sonja", "Spotify"), ("Nian", "Spotify"), ("Ketan", "Union"), ("Haytham", "Union"), ("Samhita", "Union"),
    ("Yee", "Union"), ("Eduardo", "Union"), ("Kevin", "Lyft"), ("Babis", "Freenome"), ("Jeev", "Lyft"),
    ("Niels", "Union"), ("Varsha", "Intel"), ("Dan", "Blackshark.ai"), ("Fabio", "Union"), ("Pryce", "Woven"),
]
TAGS = ["flyte", "mlops", "kubernetes", "community", "workflow orchestration", "machine learning", "python",
        "data engineering", "open source", "LF AI & Data"]
ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
