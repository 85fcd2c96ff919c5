"""What the tests and the benchmarks share, and the product never loads: fitted small models and
seeded stores (factories, stores), the real predictors hosted in-process (fakes), drawn images and
adversarial inputs (images, adversarial), free ports (ports). Not in the wheel or the image."""
