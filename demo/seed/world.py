"""The demo agency's world: its people, pipeline stages, requisition titles, places,
clients, candidate names and the words its analyses use. Plain data; the builders draw
from it in a fixed order. Its integrations are the providers whose fakes declare
``SANDBOX`` (``demo.sandbox.declaration``)."""

from __future__ import annotations

from gateway.store.enums import StageKind

ADMIN = ("Morgan Hale", "Agency Director")
RECRUITERS = (
    ("Priya Raman", "Senior Recruiter", "+1 512-555-0101"),
    ("Marco Santos", "Recruiter, BPO Practice", "+63 917 555 0102"),
    ("Jamie Chen", "Technical Recruiter", "+1 415-555-0103"),
    ("Alex Rivera", "Healthcare Recruiter", "+1 312-555-0104"),
)
VIEWER = "Sam Okafor"

STAGES: tuple[tuple[str, StageKind], ...] = (
    ("Applied", StageKind.APPLIED),
    ("Recruiter Screen", StageKind.SCREEN),
    ("Hiring Manager Review", StageKind.SCREEN),
    ("Client Interview", StageKind.INTERVIEW),
    ("Offer", StageKind.OFFER),
    ("Hired", StageKind.HIRED),
    ("Rejected", StageKind.REJECTED),
)
OFFER, HIRED, REJECTED = 4, 5, 6

JOB_TITLES = (
    ("Senior Backend Engineer", "Engineering"),
    ("Frontend Engineer (React)", "Engineering"),
    ("DevOps Engineer", "Engineering"),
    ("QA Engineer", "Engineering"),
    ("Python Developer", "Engineering"),
    ("Data Analyst", "Analytics"),
    ("Product Manager", "Product"),
    ("UX Designer", "Design"),
    ("Customer Support Representative", "Customer Success"),
    ("Technical Support Specialist", "Customer Success"),
    ("Team Lead, Customer Care", "Customer Success"),
    ("Account Executive", "Sales"),
    ("Sales Development Representative", "Sales"),
    ("Virtual Assistant", "Operations"),
    ("Project Coordinator", "Operations"),
    ("Warehouse Supervisor", "Operations"),
    ("Bookkeeper", "Finance"),
    ("Payroll Specialist", "Finance"),
    ("Financial Analyst", "Finance"),
    ("Registered Nurse (ICU)", "Clinical"),
    ("Medical Coder", "Clinical"),
    ("HR Generalist", "People"),
    ("Recruitment Coordinator", "People"),
    ("Marketing Manager", "Marketing"),
    ("Content Writer", "Marketing"),
)
PH_LOCATIONS = (
    ("Manila, Philippines", "PHP"),
    ("Makati, Philippines", "PHP"),
    ("Cebu City, Philippines", "PHP"),
    ("Clark, Philippines", "PHP"),
    ("Remote (Philippines)", "PHP"),
)
WORLD_LOCATIONS = (
    ("Austin, TX", "USD"),
    ("New York, NY", "USD"),
    ("Chicago, IL", "USD"),
    ("Denver, CO", "USD"),
    ("Remote (US)", "USD"),
    ("London, UK", "GBP"),
    ("Manchester, UK", "GBP"),
    ("Toronto, ON", "CAD"),
)
FX = {"USD": 1.0, "GBP": 0.8, "CAD": 1.35, "PHP": 56.0}
CLIENTS = (
    "Northwind Health",
    "Acme Logistics",
    "Globex Financial",
    "Initech",
    "Umbrella Retail",
    "Stark Manufacturing",
    "Wayne Hospitality",
    "Hooli Cloud",
    "Soylent Foods",
    "Tyrell Biotech",
    "Blue Harbor Insurance",
    "Summit Outsourcing",
)
FIRST_NAMES = (
    "James", "Maria", "Wei", "Aisha", "Carlos", "Emily", "Juan", "Priya", "Liam", "Sofia",
    "Noah", "Olivia", "Mateo", "Chloe", "Ethan", "Grace", "Jose", "Angelica", "Mark",
    "Kristine", "Daniel", "Fatima", "Hiro", "Ana", "Lucas", "Isabella", "Arjun", "Mei",
    "Omar", "Hannah", "Diego", "Zoe", "Samuel", "Nadia", "Paolo", "Camille", "Tomas",
    "Leah", "Rafael", "Joy",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Garcia", "Chen", "Khan", "Santos", "Johnson", "Reyes", "Patel", "Brown",
    "Cruz", "Williams", "Nguyen", "Lopez", "Kim", "Martin", "Bautista", "Dela Cruz",
    "Mendoza", "Okafor", "Rossi", "Schmidt", "Tanaka", "Ali", "Murphy", "Aquino",
    "Fernandez", "Singh", "Wilson", "Ramos", "Taylor",
)  # fmt: skip
SOURCES = ("LinkedIn", "Indeed", "Referral", "Career site", "Agency database", "JobStreet")
TAGS = (
    "python", "react", "bilingual", "night-shift", "remote-ok", "healthcare", "sales",
    "leadership", "immediate-start", "relocation", "customer-service", "finance",
)  # fmt: skip
REJECTION_REASONS = (
    "Not enough relevant experience",
    "Salary expectations above budget",
    "Candidate withdrew interest",
    "Position filled by another candidate",
    "Did not pass the skills assessment",
    "No response from candidate",
)
PROS = (
    "Directly relevant experience in a similar role",
    "Stable tenure with previous employers",
    "Strong written communication in the application",
    "Has worked with clients in the same industry",
    "Available to start immediately",
    "Relevant certifications listed",
)
CONS = (
    "No experience with the client's tooling",
    "Short tenure in the most recent role",
    "Salary expectation near the top of the band",
    "Would need to relocate",
    "Limited leadership experience",
)
RED_FLAGS = ("Unexplained 18-month employment gap", "Inconsistent dates between roles")
COMPLIANCE_FLAGS = ("Work authorization not stated", "Requires visa sponsorship")
SUGGESTED_QUESTIONS = (
    "Tell me about a time you handled a difficult customer.",
    "Which tools did you use daily in your last role?",
    "Why are you looking to leave your current position?",
    "Describe a process you improved and how you measured it.",
    "What is your availability for night or weekend shifts?",
)
ONBOARDING_TASKS = (
    ("Sign employment contract", "document", "Review and e-sign the employment contract."),
    ("Submit government ID", "document", "Upload a clear photo of a valid government ID."),
    ("Complete background check", "background_check", "Fill in the background check consent."),
    ("Provide bank details", "form", "Enter bank details for payroll."),
    ("Medical clearance", "document", "Upload the pre-employment medical certificate."),
)
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
NUMERIC_BASE = {"job": 48_000, "candidate": 910_000, "application": 3_300_000, "offer": 77_000}
SERIAL_PREFIX = {"job": "JR", "candidate": "C", "application": "JA", "offer": "OF"}
